with

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

won as (

    select
        opportunity_id,
        account_id,
        closed_at
    from opportunities
    where is_won = true and account_id is not null

),

final as (

    select
        opportunity_id,
        account_id,
        closed_at,
        {{ month_start('closed_at') }} as closed_month,
        row_number() over (
            partition by account_id
            order by case when closed_at is null then 1 else 0 end, closed_at, opportunity_id
        ) as win_number,
        min(closed_at) over (partition by account_id) as first_won_at
    from won

)

select * from final
