{%- set stall_days = var('stall_days', 60) -%}

with

months as (

    select * from {{ ref('int_months') }}

),

stage_transitions as (

    select * from {{ ref('fct_stage_transitions') }}

),

first_leads as (

    select
        person_id,
        entered_at as first_lead_at,
        entered_month as cohort_month
    from stage_transitions
    where stage = 'lead' and is_first_entry = true

),

-- reaching a stage = entering it or any later funnel stage after the first lead entry (a skipped stage was passed)
cohort_persons as (

    select
        first_leads.person_id,
        first_leads.cohort_month,
        max(case when later.stage in ('mql', 'sql', 'opportunity', 'customer') then 1 else 0 end) as reached_mql,
        max(case when later.stage in ('sql', 'opportunity', 'customer') then 1 else 0 end) as reached_sql,
        max(case when later.stage in ('opportunity', 'customer') then 1 else 0 end) as reached_opportunity,
        max(case when later.stage = 'customer' then 1 else 0 end) as reached_customer,
        max(case when later.stage in ('recycled', 'disqualified') then 1 else 0 end) as was_dropped
    from first_leads
    left join stage_transitions as later
        on
            first_leads.person_id = later.person_id
            and first_leads.first_lead_at <= later.entered_at
    group by
        first_leads.person_id,
        first_leads.cohort_month

),

-- each person's current spell at the end of the data: consecutive entries of the same stage are one spell
stage_runs as (

    select
        person_id,
        stage,
        entered_at,
        sum(case when previous_stage = stage then 0 else 1 end) over (
            partition by person_id
            order by entered_at, stage_event_id
            rows between unbounded preceding and current row
        ) as run_number
    from stage_transitions

),

current_spells as (

    select
        person_id,
        stage,
        spell_start
    from (
        select
            person_id,
            stage,
            min(entered_at) as spell_start,
            row_number() over (partition by person_id order by run_number desc) as recency
        from stage_runs
        group by
            person_id,
            run_number,
            stage
    ) as spells
    where recency = 1

),

data_end as (

    select max(month_end) as data_end_date
    from months

),

stalled_persons as (

    select current_spells.person_id
    from current_spells
    cross join data_end
    where
        current_spells.stage in ('lead', 'mql')
        and {{ dbt.datediff('current_spells.spell_start', 'data_end.data_end_date', 'day') }}
        > {{ stall_days }}

),

cohorts as (

    select
        cohort_persons.cohort_month,
        count(*) as leads,
        count(case when cohort_persons.reached_mql = 1 then 1 end) as reached_mql,
        count(case when cohort_persons.reached_sql = 1 then 1 end) as reached_sql,
        count(case when cohort_persons.reached_opportunity = 1 then 1 end) as reached_opportunity,
        count(case when cohort_persons.reached_customer = 1 then 1 end) as reached_customer,
        count(stalled_persons.person_id) as stalled,
        count(
            case when cohort_persons.was_dropped = 1 and cohort_persons.reached_customer = 0 then 1 end
        ) as dropped
    from cohort_persons
    left join stalled_persons
        on cohort_persons.person_id = stalled_persons.person_id
    group by cohort_persons.cohort_month

),

final as (

    select
        months.report_month as cohort_month,
        coalesce(cohorts.leads, 0) as leads,
        coalesce(cohorts.reached_mql, 0) as reached_mql,
        coalesce(cohorts.reached_sql, 0) as reached_sql,
        coalesce(cohorts.reached_opportunity, 0) as reached_opportunity,
        coalesce(cohorts.reached_customer, 0) as reached_customer,
        {{ safe_divide('cohorts.reached_mql', 'cohorts.leads') }} as lead_to_mql_rate,
        {{ safe_divide('cohorts.reached_sql', 'cohorts.reached_mql') }} as mql_to_sql_rate,
        {{ safe_divide('cohorts.reached_opportunity', 'cohorts.reached_sql') }} as sql_to_opportunity_rate,
        {{ safe_divide('cohorts.reached_customer', 'cohorts.reached_opportunity') }} as opportunity_to_customer_rate,
        {{ safe_divide('cohorts.reached_customer', 'cohorts.leads') }} as lead_to_customer_rate,
        coalesce(cohorts.stalled, 0) as stalled,
        coalesce(cohorts.dropped, 0) as dropped
    from months
    left join cohorts
        on months.report_month = cohorts.cohort_month

)

select * from final
