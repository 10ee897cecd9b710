with

channels as (

    select * from {{ ref('dim_channels') }}

),

persons as (

    select * from {{ ref('dim_persons') }}

),

person_opportunities as (

    select * from {{ ref('int_opportunities_aggregated_to_persons') }}

),

touches as (

    select * from {{ ref('fct_touches') }}

),

-- touches of each person with a won deal strictly before the first won deal closed (persons with none drop out)
customer_touches as (

    select
        persons.acquisition_channel as channel,
        person_opportunities.person_id,
        count(*) as touches
    from person_opportunities
    inner join touches
        on
            person_opportunities.person_id = touches.person_id
            and person_opportunities.first_won_at > touches.touched_at
    inner join persons
        on person_opportunities.person_id = persons.person_id
    group by
        persons.acquisition_channel,
        person_opportunities.person_id

),

-- per acquisition channel, and once over all customers
channel_stats as (

    select
        channel,
        count(*) as customers,
        {{ percentile('touches', 0.5) }} as median_touches,
        {{ percentile('touches', 0.75) }} as p75_touches,
        {{ safe_divide('sum(touches)', 'count(touches)') }} as mean_touches
    from customer_touches
    group by channel

    union all

    select
        'all' as channel,
        count(*) as customers,
        {{ percentile('touches', 0.5) }} as median_touches,
        {{ percentile('touches', 0.75) }} as p75_touches,
        {{ safe_divide('sum(touches)', 'count(touches)') }} as mean_touches
    from customer_touches

),

report_channels as (

    select channel from channels
    union all
    select 'all' as channel

),

-- spine (every canonical channel and 'all') + left join; without customers the statistics are null
final as (

    select
        report_channels.channel,
        cast(coalesce(channel_stats.customers, 0) as {{ dbt.type_bigint() }}) as customers,
        cast(channel_stats.median_touches as {{ dbt.type_numeric() }}) as median_touches,
        cast(channel_stats.p75_touches as {{ dbt.type_numeric() }}) as p75_touches,
        cast(channel_stats.mean_touches as {{ dbt.type_numeric() }}) as mean_touches
    from report_channels
    left join channel_stats
        on report_channels.channel = channel_stats.channel

)

select * from final
