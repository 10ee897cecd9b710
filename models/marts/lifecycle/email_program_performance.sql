with

email_sends as (

    select * from {{ ref('int_email_sends') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

sends_by_email_month as (

    select
        campaign_id,
        email_id,
        send_month as report_month,
        count(*) as sent,
        count(case when is_bounced = true then 1 end) as bounced,
        count(case when is_opened = true then 1 end) as unique_opens,
        count(case when is_clicked = true then 1 end) as unique_clicks,
        count(case when is_unsubscribed = true then 1 end) as unsubscribes
    from email_sends
    group by
        campaign_id,
        email_id,
        send_month

),

performance as (

    select
        sends_by_email_month.campaign_id,
        sends_by_email_month.email_id,
        sends_by_email_month.report_month,
        campaigns.campaign_name,
        campaigns.audience,
        campaigns.is_automated,
        sends_by_email_month.sent,
        sends_by_email_month.bounced,
        sends_by_email_month.sent - sends_by_email_month.bounced as delivered,
        sends_by_email_month.unique_opens,
        sends_by_email_month.unique_clicks,
        sends_by_email_month.unsubscribes
    from sends_by_email_month
    left join campaigns
        on sends_by_email_month.campaign_id = campaigns.campaign_id

),

final as (

    select
        campaign_id,
        email_id,
        report_month,
        campaign_name,
        audience,
        is_automated,
        sent,
        bounced,
        delivered,
        unique_opens,
        unique_clicks,
        unsubscribes,
        cast({{ safe_divide('unique_opens', 'delivered') }} as {{ dbt.type_numeric() }}) as open_rate,
        cast({{ safe_divide('unique_clicks', 'delivered') }} as {{ dbt.type_numeric() }}) as click_rate,
        cast({{ safe_divide('unique_clicks', 'unique_opens') }} as {{ dbt.type_numeric() }}) as click_to_open_rate,
        cast({{ safe_divide('unsubscribes', 'delivered') }} as {{ dbt.type_numeric() }}) as unsubscribe_rate,
        cast({{ safe_divide('bounced', 'sent') }} as {{ dbt.type_numeric() }}) as bounce_rate
    from performance

)

select * from final
