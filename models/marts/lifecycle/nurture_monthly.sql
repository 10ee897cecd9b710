{%- set window_days = var('conversion_window_days', 90) -%}
{%- set stall_days = var('stall_days', 60) -%}

with

months as (

    select * from {{ ref('int_months') }}

),

stage_transitions as (

    select * from {{ ref('fct_stage_transitions') }}

),

email_sends as (

    select * from {{ ref('int_email_sends') }}

),

marketing_spend as (

    select * from {{ ref('fct_marketing_spend') }}

),

first_leads as (

    select
        person_id,
        entered_at as first_lead_at,
        entered_month as cohort_month
    from stage_transitions
    where stage = 'lead' and is_first_entry = true

),

-- cohort: did the new lead reach mql within the conversion window of its first lead entry?
lead_cohort as (

    select
        first_leads.person_id,
        first_leads.cohort_month,
        max(case when mqls.person_id is not null then 1 else 0 end) as reached_mql
    from first_leads
    left join stage_transitions as mqls
        on
            first_leads.person_id = mqls.person_id
            and mqls.stage = 'mql'
            and first_leads.first_lead_at <= mqls.entered_at
            and {{ dbt.dateadd('day', window_days, 'first_leads.first_lead_at') }} >= mqls.entered_at
    group by
        first_leads.person_id,
        first_leads.cohort_month

),

leads_monthly as (

    select
        cohort_month as report_month,
        count(*) as leads_created,
        count(case when reached_mql = 1 then 1 end) as leads_reaching_mql
    from lead_cohort
    group by cohort_month

),

reopens_monthly as (

    select
        entered_month as report_month,
        count(distinct person_id) as reopened_leads
    from stage_transitions
    where is_reopen = true
    group by entered_month

),

drops_monthly as (

    select
        entered_month as report_month,
        count(distinct person_id) as dropped_leads
    from stage_transitions
    where stage in ('recycled', 'disqualified')
    group by entered_month

),

-- one row per person entering mql in a month; first-time when one of those entries is the person's first
mql_persons as (

    select
        person_id,
        entered_month,
        max(case when is_first_entry = true then 1 else 0 end) as is_first_time
    from stage_transitions
    where stage = 'mql'
    group by
        person_id,
        entered_month

),

mqls_monthly as (

    select
        entered_month as report_month,
        count(*) as mqls,
        count(case when is_first_time = 1 then 1 end) as first_time_mqls,
        count(case when is_first_time = 0 then 1 end) as repeat_mqls
    from mql_persons
    group by entered_month

),

emails_monthly as (

    select
        send_month as report_month,
        count(*) as emails_sent,
        count(case when is_bounced = true then 1 end) as emails_bounced,
        count(case when is_delivered = true then 1 end) as emails_delivered,
        count(case when is_opened = true then 1 end) as unique_opens,
        count(case when is_clicked = true then 1 end) as unique_clicks,
        count(case when is_unsubscribed = true then 1 end) as unsubscribes
    from email_sends
    where audience = 'prospect'
    group by send_month

),

spend_monthly as (

    select
        spend_month as report_month,
        sum(marketing_cost) as marketing_cost
    from marketing_spend
    group by spend_month

),

-- stage spells: consecutive entries of the same stage are one spell, ending when another stage is entered
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

stage_spells as (

    select
        person_id,
        stage,
        spell_start,
        lead(spell_start) over (partition by person_id order by spell_start) as spell_end
    from (
        select
            person_id,
            run_number,
            stage,
            min(entered_at) as spell_start
        from stage_runs
        group by
            person_id,
            run_number,
            stage
    ) as runs

),

-- at the end of the month: in a lead spell that started more than stall_days before and had not ended
stalled_monthly as (

    select
        months.report_month,
        count(distinct stage_spells.person_id) as stalled_leads
    from months
    inner join stage_spells
        on
            stage_spells.stage = 'lead'
            and {{ month_start('stage_spells.spell_start') }} <= months.report_month
            and (
                stage_spells.spell_end is null
                or {{ month_start('stage_spells.spell_end') }} > months.report_month
            )
            and {{ dbt.datediff('stage_spells.spell_start', 'months.month_end', 'day') }}
            > {{ stall_days }}
    group by months.report_month

),

final as (

    select
        months.report_month,
        coalesce(leads_monthly.leads_created, 0) as new_leads,
        coalesce(reopens_monthly.reopened_leads, 0) as reopened_leads,
        coalesce(emails_monthly.emails_sent, 0) as emails_sent,
        coalesce(emails_monthly.emails_delivered, 0) as emails_delivered,
        coalesce(emails_monthly.unique_opens, 0) as unique_opens,
        coalesce(emails_monthly.unique_clicks, 0) as unique_clicks,
        {{ safe_divide('emails_monthly.unique_opens', 'emails_monthly.emails_delivered') }} as open_rate,
        {{ safe_divide('emails_monthly.unique_clicks', 'emails_monthly.emails_delivered') }} as click_rate,
        {{ safe_divide('emails_monthly.unique_clicks', 'emails_monthly.unique_opens') }} as click_to_open_rate,
        {{ safe_divide('emails_monthly.unsubscribes', 'emails_monthly.emails_delivered') }} as unsubscribe_rate,
        {{ safe_divide('emails_monthly.emails_bounced', 'emails_monthly.emails_sent') }} as bounce_rate,
        coalesce(mqls_monthly.mqls, 0) as mqls,
        coalesce(mqls_monthly.first_time_mqls, 0) as first_time_mqls,
        coalesce(mqls_monthly.repeat_mqls, 0) as repeat_mqls,
        coalesce(leads_monthly.leads_created, 0) as leads_created,
        coalesce(leads_monthly.leads_reaching_mql, 0) as leads_reaching_mql,
        {{ safe_divide('leads_monthly.leads_reaching_mql', 'leads_monthly.leads_created') }} as lead_to_mql_rate,
        cast(coalesce(spend_monthly.marketing_cost, 0) as {{ dbt.type_numeric() }}) as marketing_cost,
        {{ safe_divide('coalesce(spend_monthly.marketing_cost, 0)', 'mqls_monthly.mqls') }} as cost_per_mql,
        coalesce(stalled_monthly.stalled_leads, 0) as stalled_leads,
        coalesce(drops_monthly.dropped_leads, 0) as dropped_leads
    from months
    left join leads_monthly
        on months.report_month = leads_monthly.report_month
    left join reopens_monthly
        on months.report_month = reopens_monthly.report_month
    left join emails_monthly
        on months.report_month = emails_monthly.report_month
    left join mqls_monthly
        on months.report_month = mqls_monthly.report_month
    left join spend_monthly
        on months.report_month = spend_monthly.report_month
    left join stalled_monthly
        on months.report_month = stalled_monthly.report_month
    left join drops_monthly
        on months.report_month = drops_monthly.report_month

)

select * from final
