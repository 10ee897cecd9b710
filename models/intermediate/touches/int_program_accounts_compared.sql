{%- set bigint = dbt.type_bigint() -%}

with

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

participants as (

    select * from {{ ref('int_program_participants_unioned') }}

),

persons as (

    select * from {{ ref('dim_persons') }}

),

account_months as (

    select * from {{ ref('fct_account_mrr_monthly') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

nps_responses as (

    select * from {{ ref('fct_nps_responses') }}

),

-- the programs int_program_participants_unioned knows: automated prospect campaigns and customer campaigns; a
-- program without participants still has a comparison (every customer account outside programs of its type)
programs as (

    select
        campaign_id as program,  -- noqa: RF04
        {{ program_type('audience', 'is_automated') }} as program_type
    from campaigns
    where {{ program_type('audience', 'is_automated') }} is not null

),

-- customers: accounts with an active billing subscription at some month end, from the first such month
customer_accounts as (

    select
        account_id,
        min(case when is_customer_at_end = true then report_month end) as first_customer_month
    from account_months
    group by account_id
    having count(case when is_customer_at_end = true then 1 end) > 0

),

-- retained: no churned month (expand_monthly's churn) within 12 months of becoming a customer (to date when the
-- data ends sooner); a churn in month m loses the customer by the first day of m + 1
customer_churn as (

    select
        customer_accounts.account_id,
        max(
            case
                when
                    account_months.movement = 'churned'
                    and account_months.report_month
                    <= {{ dbt.dateadd('month', 12, 'customer_accounts.first_customer_month') }}
                    then 1
                else 0
            end
        ) as churned_within_12_months
    from customer_accounts
    inner join account_months
        on customer_accounts.account_id = account_months.account_id
    group by customer_accounts.account_id

),

upsold_accounts as (

    select distinct account_id
    from opportunities
    where is_won = true and opportunity_type in ('upsell', 'cross_sell')

),

account_nps as (

    select
        account_id,
        count(score) as responses,
        count(case when is_promoter = true then 1 end) as promoters,
        count(case when is_detractor = true then 1 end) as detractors
    from nps_responses
    group by account_id

),

customer_outcomes as (

    select
        customer_accounts.account_id,
        1 - customer_churn.churned_within_12_months as is_retained,
        case when upsold_accounts.account_id is not null then 1 else 0 end as is_upsold,
        coalesce(account_nps.responses, 0) as nps_responses,
        coalesce(account_nps.promoters, 0) as promoters,
        coalesce(account_nps.detractors, 0) as detractors
    from customer_accounts
    inner join customer_churn
        on customer_accounts.account_id = customer_churn.account_id
    left join upsold_accounts
        on customer_accounts.account_id = upsold_accounts.account_id
    left join account_nps
        on customer_accounts.account_id = account_nps.account_id

),

-- a customer account takes part in a program when one of its persons (dim_persons.account_id) does
program_accounts as (

    select distinct
        participants.program,
        participants.program_type,
        persons.account_id
    from participants
    inner join persons
        on participants.person_id = persons.person_id
    inner join customer_accounts
        on persons.account_id = customer_accounts.account_id

),

program_type_accounts as (

    select distinct
        program_type,
        account_id
    from program_accounts

),

program_types as (

    select distinct program_type
    from programs

),

-- comparable non-participating customers: customer accounts none of whose persons took part in a program of
-- the type
comparison_accounts as (

    select
        program_types.program_type,
        customer_outcomes.account_id,
        customer_outcomes.is_retained,
        customer_outcomes.is_upsold,
        customer_outcomes.nps_responses,
        customer_outcomes.promoters,
        customer_outcomes.detractors
    from program_types
    cross join customer_outcomes
    left join program_type_accounts
        on
            program_types.program_type = program_type_accounts.program_type
            and customer_outcomes.account_id = program_type_accounts.account_id
    where program_type_accounts.account_id is null

),

participant_customer_counts as (

    select
        program_accounts.program,
        count(*) as customers,
        sum(customer_outcomes.is_retained) as retained,
        sum(customer_outcomes.is_upsold) as upsold,
        sum(customer_outcomes.nps_responses) as nps_responses,
        sum(customer_outcomes.promoters) as promoters,
        sum(customer_outcomes.detractors) as detractors
    from program_accounts
    inner join customer_outcomes
        on program_accounts.account_id = customer_outcomes.account_id
    group by program_accounts.program

),

comparison_customer_counts as (

    select
        program_type,
        count(*) as customers,
        sum(is_retained) as retained,
        sum(is_upsold) as upsold,
        sum(nps_responses) as nps_responses,
        sum(promoters) as promoters,
        sum(detractors) as detractors
    from comparison_accounts
    group by program_type

),

-- one row per program
final as (

    select
        programs.program,
        programs.program_type,
        cast(coalesce(participant_customer_counts.customers, 0) as {{ bigint }}) as participant_customers,
        cast(coalesce(participant_customer_counts.retained, 0) as {{ bigint }}) as participant_customers_retained,
        {{ safe_divide('participant_customer_counts.retained', 'participant_customer_counts.customers') }}
            as participant_retention_rate,
        cast(coalesce(participant_customer_counts.upsold, 0) as {{ bigint }}) as participant_customers_upsold,
        {{ safe_divide('participant_customer_counts.upsold', 'participant_customer_counts.customers') }}
            as participant_upsell_rate,
        cast(coalesce(participant_customer_counts.nps_responses, 0) as {{ bigint }}) as participant_nps_responses,
        {{ safe_divide(
            '100 * (participant_customer_counts.promoters - participant_customer_counts.detractors)',
            'participant_customer_counts.nps_responses'
        ) }} as participant_nps,
        cast(coalesce(comparison_customer_counts.customers, 0) as {{ bigint }}) as comparison_customers,
        cast(coalesce(comparison_customer_counts.retained, 0) as {{ bigint }}) as comparison_customers_retained,
        {{ safe_divide('comparison_customer_counts.retained', 'comparison_customer_counts.customers') }}
            as comparison_retention_rate,
        cast(coalesce(comparison_customer_counts.upsold, 0) as {{ bigint }}) as comparison_customers_upsold,
        {{ safe_divide('comparison_customer_counts.upsold', 'comparison_customer_counts.customers') }}
            as comparison_upsell_rate,
        cast(coalesce(comparison_customer_counts.nps_responses, 0) as {{ bigint }}) as comparison_nps_responses,
        {{ safe_divide(
            '100 * (comparison_customer_counts.promoters - comparison_customer_counts.detractors)',
            'comparison_customer_counts.nps_responses'
        ) }} as comparison_nps
    from programs
    left join participant_customer_counts
        on programs.program = participant_customer_counts.program
    left join comparison_customer_counts
        on programs.program_type = comparison_customer_counts.program_type

)

select * from final
