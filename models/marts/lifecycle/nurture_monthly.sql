with

months as (

    select * from {{ ref('int_months') }}

),

stages_monthly as (

    select * from {{ ref('int_stage_entries_aggregated_to_months') }}

),

stage_cohorts as (

    select * from {{ ref('int_stage_cohorts_aggregated_to_months') }}

),

email_sends as (

    select * from {{ ref('int_email_sends_aggregated_to_months') }}

),

marketing_cost as (

    select * from {{ ref('int_marketing_cost_aggregated_to_months') }}

),

lead_cohorts as (

    select * from stage_cohorts
    where cohort_stage = 'lead'

),

prospect_emails as (

    select * from email_sends
    where audience = 'prospect'

),

final as (

    select
        months.report_month,
        coalesce(stages_monthly.new_leads, 0) as new_leads,
        coalesce(stages_monthly.reopened_leads, 0) as reopened_leads,
        coalesce(prospect_emails.sends, 0) as emails_sent,
        coalesce(prospect_emails.delivered, 0) as emails_delivered,
        coalesce(prospect_emails.unique_opens, 0) as unique_opens,
        coalesce(prospect_emails.unique_clicks, 0) as unique_clicks,
        {{ safe_divide('prospect_emails.unique_opens', 'prospect_emails.delivered') }} as open_rate,
        {{ safe_divide('prospect_emails.unique_clicks', 'prospect_emails.delivered') }} as click_rate,
        {{ safe_divide('prospect_emails.unique_clicks', 'prospect_emails.unique_opens') }} as click_to_open_rate,
        {{ safe_divide('prospect_emails.unsubscribes', 'prospect_emails.delivered') }} as unsubscribe_rate,
        {{ safe_divide('prospect_emails.bounced', 'prospect_emails.sends') }} as bounce_rate,
        coalesce(stages_monthly.mqls, 0) as mqls,
        coalesce(stages_monthly.first_time_mqls, 0) as first_time_mqls,
        coalesce(stages_monthly.repeat_mqls, 0) as repeat_mqls,
        coalesce(lead_cohorts.members, 0) as leads_created,
        coalesce(lead_cohorts.members_reaching_next_stage_in_window, 0) as leads_reaching_mql,
        {{ safe_divide('lead_cohorts.members_reaching_next_stage_in_window', 'lead_cohorts.members') }}
            as lead_to_mql_rate,
        lead_cohorts.is_cohort_complete,
        cast(coalesce(marketing_cost.marketing_cost, 0) as {{ dbt.type_numeric() }}) as marketing_cost,
        {{ safe_divide('nullif(marketing_cost.marketing_cost, 0)', 'stages_monthly.mqls') }} as cost_per_mql,
        coalesce(stages_monthly.stalled_leads, 0) as stalled_leads,
        coalesce(stages_monthly.dropped_leads, 0) as dropped_leads
    from months
    left join stages_monthly
        on months.report_month = stages_monthly.report_month
    left join lead_cohorts
        on months.report_month = lead_cohorts.cohort_month
    left join prospect_emails
        on months.report_month = prospect_emails.report_month
    left join marketing_cost
        on months.report_month = marketing_cost.report_month

)

select * from final
