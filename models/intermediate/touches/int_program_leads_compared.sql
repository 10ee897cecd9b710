{%- set bigint = dbt.type_bigint() -%}

with

participants as (

    select * from {{ ref('int_program_participants_unioned') }}

),

person_cohorts as (

    select * from {{ ref('int_person_stage_cohorts') }}

),

-- persons in the funnel: their first lead entry (cohort month) and what they reached after it, to date
lead_persons as (

    select
        person_id,
        cohort_month,
        case when reached_mql_to_date = true then 1 else 0 end as is_mql,
        case when reached_opportunity_to_date = true then 1 else 0 end as is_opportunity
    from person_cohorts
    where cohort_stage = 'lead'

),

participant_leads as (

    select
        participants.program,
        participants.program_type,
        lead_persons.person_id,
        lead_persons.cohort_month,
        lead_persons.is_mql,
        lead_persons.is_opportunity
    from participants
    inner join lead_persons
        on participants.person_id = lead_persons.person_id

),

-- persons in at least one program of a type
program_type_persons as (

    select distinct
        program_type,
        person_id
    from participants

),

program_cohort_months as (

    select distinct
        program,
        program_type,
        cohort_month
    from participant_leads

),

-- comparable non-participants of a program: persons whose first lead entry falls in a month in which one of its
-- participants had theirs, and who took part in no program of its type
comparison_leads as (

    select
        program_cohort_months.program,
        lead_persons.person_id,
        lead_persons.is_mql,
        lead_persons.is_opportunity
    from program_cohort_months
    inner join lead_persons
        on program_cohort_months.cohort_month = lead_persons.cohort_month
    left join program_type_persons
        on
            program_cohort_months.program_type = program_type_persons.program_type
            and lead_persons.person_id = program_type_persons.person_id
    where program_type_persons.person_id is null

),

participant_lead_counts as (

    select
        program,
        count(*) as leads,
        sum(is_mql) as mqls,
        sum(is_opportunity) as opportunities
    from participant_leads
    group by program

),

comparison_lead_counts as (

    select
        program,
        count(*) as leads,
        sum(is_mql) as mqls,
        sum(is_opportunity) as opportunities
    from comparison_leads
    group by program

),

-- one row per program with a participating lead (the comparison exists only then: it reads their cohort months)
final as (

    select
        participant_lead_counts.program,
        cast(participant_lead_counts.leads as {{ bigint }}) as participant_leads,
        cast(participant_lead_counts.mqls as {{ bigint }}) as participant_mqls,
        {{ safe_divide('participant_lead_counts.mqls', 'participant_lead_counts.leads') }} as participant_mql_rate,
        cast(participant_lead_counts.opportunities as {{ bigint }}) as participant_opportunities,
        {{ safe_divide('participant_lead_counts.opportunities', 'participant_lead_counts.leads') }}
            as participant_opportunity_rate,
        cast(coalesce(comparison_lead_counts.leads, 0) as {{ bigint }}) as comparison_leads,
        cast(coalesce(comparison_lead_counts.mqls, 0) as {{ bigint }}) as comparison_mqls,
        {{ safe_divide('comparison_lead_counts.mqls', 'comparison_lead_counts.leads') }} as comparison_mql_rate,
        cast(coalesce(comparison_lead_counts.opportunities, 0) as {{ bigint }}) as comparison_opportunities,
        {{ safe_divide('comparison_lead_counts.opportunities', 'comparison_lead_counts.leads') }}
            as comparison_opportunity_rate
    from participant_lead_counts
    left join comparison_lead_counts
        on participant_lead_counts.program = comparison_lead_counts.program

)

select * from final
