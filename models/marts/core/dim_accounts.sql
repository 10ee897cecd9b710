{#- Passthrough columns (macros/passthrough.sql) follow the documented columns; a dbt contract cannot list columns
    a var names, so the contract is enforced while there are none. -#}
{{ config(contract={'enforced': passthrough_columns('crm_accounts') | length == 0}) -}}

with

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

account_wins as (

    select * from {{ ref('int_account_wins') }}

),

subscriptions as (

    select * from {{ ref('int_subscriptions_aggregated_to_accounts') }}

),

first_wins as (

    select
        account_id,
        first_won_at
    from account_wins
    where win_number = 1

),

final as (

    select
        accounts.account_id,
        accounts.account_name,
        accounts.industry,
        accounts.employee_count,
        case
            when accounts.employee_count is null then 'unknown'
            when accounts.employee_count < 50 then '1-49'
            when accounts.employee_count < 250 then '50-249'
            when accounts.employee_count < 1000 then '250-999'
            else '1000+'
        end as size_band,
        accounts.country,
        accounts.created_at,
        first_wins.first_won_at,
        {{ month_start('first_wins.first_won_at') }} as customer_since_month,
        subscriptions.first_subscription_started_on,
        coalesce(subscriptions.has_open_subscription, false) as is_current_customer
        {{ passthrough_select('crm_accounts', prefix='accounts.') }}  -- noqa: LT02
    from accounts
    left join first_wins
        on accounts.account_id = first_wins.account_id
    left join subscriptions
        on accounts.account_id = subscriptions.account_id

)

select * from final
