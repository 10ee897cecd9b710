with

email_sends as (

    select * from {{ ref('int_email_sends') }}

),

-- the one place the send counts are written; coarser grains sum these columns
final as (

    select
        campaign_id,
        email_id,
        send_month as report_month,
        audience,
        count(*) as sends,
        count(case when is_delivered = true then 1 end) as delivered,
        count(case when is_bounced = true then 1 end) as bounced,
        count(case when is_opened = true then 1 end) as unique_opens,
        count(case when is_clicked = true then 1 end) as unique_clicks,
        count(case when is_unsubscribed = true then 1 end) as unsubscribes,
        count(case when is_spam_report = true then 1 end) as spam_reports
    from email_sends
    group by
        campaign_id,
        email_id,
        send_month,
        audience

)

select * from final
