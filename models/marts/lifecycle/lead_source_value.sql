with

channels as (

    select * from {{ ref('dim_channels') }}

),

persons as (

    select * from {{ ref('dim_persons') }}

),

stage_cohorts as (

    select * from {{ ref('int_person_stage_cohorts') }}

),

person_opportunities as (

    select * from {{ ref('int_opportunities_aggregated_to_persons') }}

),

cost_allocated as (

    select * from {{ ref('int_marketing_cost_allocated') }}

),

-- every person with a lead entry, by acquisition channel, with how far they got and what they bought to date
lead_persons as (

    select
        persons.acquisition_channel as lead_source,
        case when stage_cohorts.reached_mql_to_date = true then 1 else 0 end as is_mql,
        case when stage_cohorts.reached_sql_to_date = true then 1 else 0 end as is_sql,
        case when stage_cohorts.reached_customer_to_date = true then 1 else 0 end as is_customer,
        coalesce(person_opportunities.closed_deals, 0) as closed_deals,
        coalesce(person_opportunities.won_deals, 0) as won_deals,
        coalesce(person_opportunities.bookings, 0) as bookings
    from stage_cohorts
    inner join persons
        on stage_cohorts.person_id = persons.person_id
    left join person_opportunities
        on stage_cohorts.person_id = person_opportunities.person_id
    where stage_cohorts.cohort_stage = 'lead'

),

source_leads as (

    select
        lead_source,
        count(*) as leads,
        sum(is_mql) as mqls,
        sum(is_sql) as sqls,
        sum(is_customer) as customers,
        sum(closed_deals) as closed_deals,
        sum(won_deals) as won_deals,
        sum(bookings) as bookings
    from lead_persons
    group by lead_source

),

-- the channel's marketing cost over all months
source_costs as (

    select
        channel as lead_source,
        sum(marketing_cost) as marketing_cost
    from cost_allocated
    group by channel

),

-- spine (every canonical channel) + left joins + ratios; without cost in the channel, cost per lead is null
final as (

    select
        channels.channel as lead_source,
        cast(coalesce(source_leads.leads, 0) as {{ dbt.type_bigint() }}) as leads,
        cast(coalesce(source_leads.mqls, 0) as {{ dbt.type_bigint() }}) as mqls,
        cast(coalesce(source_leads.sqls, 0) as {{ dbt.type_bigint() }}) as sqls,
        cast(coalesce(source_leads.customers, 0) as {{ dbt.type_bigint() }}) as customers,
        cast(coalesce(source_leads.closed_deals, 0) as {{ dbt.type_bigint() }}) as closed_deals,
        cast(coalesce(source_leads.won_deals, 0) as {{ dbt.type_bigint() }}) as won_deals,
        {{ safe_divide('source_leads.mqls', 'source_leads.leads') }} as mql_rate,
        {{ safe_divide('source_leads.sqls', 'source_leads.mqls') }} as sql_rate,
        {{ safe_divide('source_leads.won_deals', 'source_leads.closed_deals') }} as win_rate,
        cast(coalesce(source_leads.bookings, 0) as {{ dbt.type_numeric() }}) as bookings,
        {{ safe_divide('coalesce(source_leads.bookings, 0)', 'source_leads.leads') }} as bookings_per_lead,
        cast(coalesce(source_costs.marketing_cost, 0) as {{ dbt.type_numeric() }}) as marketing_cost,
        {{ safe_divide('nullif(source_costs.marketing_cost, 0)', 'source_leads.leads') }} as cost_per_lead
    from channels
    left join source_leads
        on channels.channel = source_leads.lead_source
    left join source_costs
        on channels.channel = source_costs.lead_source

)

select * from final
