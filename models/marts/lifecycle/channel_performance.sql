{%- set numeric = dbt.type_numeric() -%}

with

months as (

    select * from {{ ref('int_months') }}

),

channels as (

    select * from {{ ref('dim_channels') }}

),

marketing_spend as (

    select * from {{ ref('fct_marketing_spend') }}

),

web_activities as (

    select * from {{ ref('fct_web_activities') }}

),

email_events as (

    select * from {{ ref('fct_email_events') }}

),

stage_transitions as (

    select * from {{ ref('fct_stage_transitions') }}

),

persons as (

    select * from {{ ref('dim_persons') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

spine as (

    select
        channels.channel,
        months.report_month
    from channels
    cross join months

),

-- spend: program cost of the channel plus the month's overhead (0 unless var include_overhead)
-- allocated by the channel's share of the month's program cost
month_costs as (

    select
        spend_month,
        sum(case when is_program_cost = true then marketing_cost else 0 end) as program_cost,
        sum(case when is_overhead = true then marketing_cost else 0 end) as overhead_cost
    from marketing_spend
    group by spend_month

),

channel_spend as (

    select
        channel,
        spend_month as report_month,
        sum(impressions) as impressions,
        sum(clicks) as ad_clicks,
        sum(case when is_program_cost = true then marketing_cost else 0 end) as program_cost
    from marketing_spend
    group by
        channel,
        spend_month

),

channel_costs as (

    select
        channel_spend.channel,
        channel_spend.report_month,
        channel_spend.impressions,
        channel_spend.ad_clicks,
        channel_spend.program_cost
        + coalesce(
            {{ safe_divide('month_costs.overhead_cost * channel_spend.program_cost', 'month_costs.program_cost') }},
            0
        ) as marketing_cost
    from channel_spend
    left join month_costs
        on channel_spend.report_month = month_costs.spend_month

),

visitors as (

    select
        coalesce(channel, 'other') as channel,
        activity_month as report_month,
        count(distinct visitor_id) as unique_visitors
    from web_activities
    where activity_type = 'page_view'
    group by
        coalesce(channel, 'other'),
        activity_month

),

month_visitors as (

    select
        activity_month as report_month,
        count(distinct visitor_id) as unique_visitors
    from web_activities
    where activity_type = 'page_view'
    group by activity_month

),

-- a person becomes known with their first activity carrying an email (web activity or email event);
-- the channel is that activity's (email for an email event)
identifying_activities as (

    select
        person_id,
        occurred_at,
        coalesce(channel, 'other') as channel,
        1 as source_order,
        activity_id as activity_key
    from web_activities
    where is_identified_activity = true and person_id is not null

    union all

    select
        person_id,
        occurred_at,
        'email' as channel,
        2 as source_order,
        event_id as activity_key
    from email_events
    where person_id is not null

),

ranked_identifying_activities as (

    select
        person_id,
        occurred_at,
        channel,
        row_number() over (
            partition by person_id
            order by occurred_at, source_order, activity_key
        ) as activity_rank
    from identifying_activities

),

new_known as (

    select
        channel,
        {{ month_start('occurred_at') }} as report_month,
        count(*) as new_known_persons
    from ranked_identifying_activities
    where activity_rank = 1
    group by
        channel,
        {{ month_start('occurred_at') }}

),

funnel_entries as (

    select
        persons.acquisition_channel as channel,
        stage_transitions.entered_month as report_month,
        count(
            distinct case
                when stage_transitions.stage = 'lead' and stage_transitions.is_first_entry = true
                    then stage_transitions.person_id
            end
        ) as new_leads,
        count(distinct case when stage_transitions.stage = 'mql' then stage_transitions.person_id end) as mqls,
        count(distinct case when stage_transitions.stage = 'sql' then stage_transitions.person_id end) as sqls
    from stage_transitions
    inner join persons
        on stage_transitions.person_id = persons.person_id
    where stage_transitions.stage in ('lead', 'mql', 'sql')
    group by
        persons.acquisition_channel,
        stage_transitions.entered_month

),

new_customers as (

    select
        channel,
        closed_month as report_month,
        count(distinct account_id) as new_customers
    from opportunities
    where is_first_win_of_account = true and closed_month is not null
    group by
        channel,
        closed_month

),

campaign_bookings as (

    select
        coalesce(campaigns.channel, 'other') as channel,
        opportunities.closed_month as report_month,
        sum(opportunities.amount) as bookings
    from opportunities
    left join campaigns
        on opportunities.campaign_id = campaigns.campaign_id
    where
        opportunities.is_won = true
        and opportunities.campaign_id is not null
        and opportunities.closed_month is not null
    group by
        coalesce(campaigns.channel, 'other'),
        opportunities.closed_month

),

joined as (

    select
        spine.channel,
        spine.report_month,
        coalesce(channel_costs.impressions, 0) as impressions,
        coalesce(channel_costs.ad_clicks, 0) as ad_clicks,
        coalesce(visitors.unique_visitors, 0) as unique_visitors,
        month_visitors.unique_visitors as month_unique_visitors,
        coalesce(new_known.new_known_persons, 0) as new_known_persons,
        coalesce(funnel_entries.new_leads, 0) as new_leads,
        coalesce(funnel_entries.mqls, 0) as mqls,
        coalesce(funnel_entries.sqls, 0) as sqls,
        coalesce(new_customers.new_customers, 0) as new_customers,
        coalesce(channel_costs.marketing_cost, 0) as marketing_cost,
        coalesce(campaign_bookings.bookings, 0) as bookings
    from spine
    left join channel_costs
        on spine.channel = channel_costs.channel and spine.report_month = channel_costs.report_month
    left join visitors
        on spine.channel = visitors.channel and spine.report_month = visitors.report_month
    left join month_visitors
        on spine.report_month = month_visitors.report_month
    left join new_known
        on spine.channel = new_known.channel and spine.report_month = new_known.report_month
    left join funnel_entries
        on spine.channel = funnel_entries.channel and spine.report_month = funnel_entries.report_month
    left join new_customers
        on spine.channel = new_customers.channel and spine.report_month = new_customers.report_month
    left join campaign_bookings
        on spine.channel = campaign_bookings.channel and spine.report_month = campaign_bookings.report_month

),

final as (

    select
        channel,
        report_month,
        cast(impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(ad_clicks as {{ dbt.type_bigint() }}) as ad_clicks,
        unique_visitors,
        cast({{ safe_divide('unique_visitors', 'month_unique_visitors') }} as {{ numeric }}) as visitor_share,
        new_known_persons,
        cast({{ safe_divide('new_known_persons', 'unique_visitors') }} as {{ numeric }}) as channel_capture_rate,
        new_leads,
        mqls,
        sqls,
        new_customers,
        cast(marketing_cost as {{ numeric }}) as marketing_cost,
        cast({{ safe_divide('marketing_cost', 'mqls') }} as {{ numeric }}) as cost_per_mql,
        cast(bookings as {{ numeric }}) as bookings,
        cast({{ safe_divide('bookings - marketing_cost', 'marketing_cost') }} as {{ numeric }}) as channel_roi
    from joined

)

select * from final
