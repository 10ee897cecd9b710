with

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

person_records as (

    select * from {{ ref('int_person_records') }}

),

account_wins as (

    select * from {{ ref('int_account_wins') }}

),

account_first_wins as (

    select
        account_id,
        first_won_at
    from account_wins
    where win_number = 1

),

contact_persons as (

    select
        record_id as contact_id,
        max(person_id) as person_id
    from person_records
    where record_type = 'contact'
    group by record_id

),

final as (

    select
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.contact_id,
        contact_persons.person_id,
        coalesce(opportunities.opportunity_type, 'other') as opportunity_type,
        opportunities.outcome,
        opportunities.amount,
        opportunities.created_at,
        {{ month_start('opportunities.created_at') }} as created_month,
        opportunities.closed_at,
        case
            when opportunities.outcome <> 'open' then {{ month_start('opportunities.closed_at') }}
        end as closed_month,
        opportunities.campaign_id,
        coalesce(opportunities.channel, 'other') as channel,
        opportunities.outcome <> 'open' as is_closed,
        coalesce(opportunities.is_won, false) as is_won,
        opportunities.loss_reason_category,
        coalesce(account_wins.win_number = 1, false) as is_first_win_of_account,
        coalesce(account_first_wins.first_won_at < opportunities.created_at, false) as is_existing_customer
    from opportunities
    left join contact_persons
        on opportunities.contact_id = contact_persons.contact_id
    left join account_first_wins
        on opportunities.account_id = account_first_wins.account_id
    left join account_wins
        on opportunities.opportunity_id = account_wins.opportunity_id

)

select * from final
