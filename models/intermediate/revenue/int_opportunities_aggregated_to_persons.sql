with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

-- every opportunity of a person (its primary contact's person), of any type
final as (

    select
        person_id,
        count(*) as opportunities,
        min(created_at) as first_opportunity_created_at,
        count(case when is_closed = true then 1 end) as closed_deals,
        count(case when is_won = true then 1 end) as won_deals,
        coalesce(sum(case when is_won = true then amount end), 0) as bookings,
        min(case when is_won = true then closed_at end) as first_won_at
    from opportunities
    where person_id is not null
    group by person_id

)

select * from final
