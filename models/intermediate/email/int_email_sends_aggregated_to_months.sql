with

campaign_emails as (

    select * from {{ ref('int_email_sends_aggregated_to_campaign_emails') }}

),

final as (

    select
        report_month,
        audience,
        sum(sends) as sends,
        sum(delivered) as delivered,
        sum(bounced) as bounced,
        sum(unique_opens) as unique_opens,
        sum(unique_clicks) as unique_clicks,
        sum(unsubscribes) as unsubscribes,
        sum(spam_reports) as spam_reports
    from campaign_emails
    group by
        report_month,
        audience

)

select * from final
