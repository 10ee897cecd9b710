{%- set bigint = dbt.type_bigint() -%}

with

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

participants as (

    select * from {{ ref('int_program_participants_unioned') }}

),

-- funnel outcomes of participating leads against comparable non-participants (programs with a participating lead)
program_leads as (

    select * from {{ ref('int_program_leads_compared') }}

),

-- retention, upsell and NPS of participating customer accounts against the others: one row per program (the
-- automated prospect and customer campaigns, program_type), with or without participants
program_accounts as (

    select * from {{ ref('int_program_accounts_compared') }}

),

programs as (

    select
        program_accounts.program,
        campaigns.campaign_name as program_name,
        program_accounts.program_type
    from program_accounts
    inner join campaigns
        on program_accounts.program = campaigns.campaign_id

),

participant_counts as (

    select
        program,
        count(*) as participants
    from participants
    group by program

),

final as (

    select
        programs.program,
        programs.program_name,
        programs.program_type,
        cast(coalesce(participant_counts.participants, 0) as {{ bigint }}) as participants,
        cast(coalesce(program_leads.participant_leads, 0) as {{ bigint }}) as participant_leads,
        cast(coalesce(program_leads.participant_mqls, 0) as {{ bigint }}) as participant_mqls,
        program_leads.participant_mql_rate,
        cast(coalesce(program_leads.participant_opportunities, 0) as {{ bigint }}) as participant_opportunities,
        program_leads.participant_opportunity_rate,
        cast(coalesce(program_leads.comparison_leads, 0) as {{ bigint }}) as comparison_leads,
        cast(coalesce(program_leads.comparison_mqls, 0) as {{ bigint }}) as comparison_mqls,
        program_leads.comparison_mql_rate,
        cast(coalesce(program_leads.comparison_opportunities, 0) as {{ bigint }}) as comparison_opportunities,
        program_leads.comparison_opportunity_rate,
        program_accounts.participant_customers,
        program_accounts.participant_customers_retained,
        program_accounts.participant_retention_rate,
        program_accounts.participant_customers_upsold,
        program_accounts.participant_upsell_rate,
        program_accounts.participant_nps_responses,
        program_accounts.participant_nps,
        program_accounts.comparison_customers,
        program_accounts.comparison_customers_retained,
        program_accounts.comparison_retention_rate,
        program_accounts.comparison_customers_upsold,
        program_accounts.comparison_upsell_rate,
        program_accounts.comparison_nps_responses,
        program_accounts.comparison_nps
    from programs
    left join participant_counts
        on programs.program = participant_counts.program
    left join program_leads
        on programs.program = program_leads.program
    left join program_accounts
        on programs.program = program_accounts.program

)

select * from final
