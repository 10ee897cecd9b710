with

campaign_emails as (

    select * from {{ ref('int_email_sends_aggregated_to_campaign_emails') }}

),

final as (

    select
        report_month,
        audience,
        cast(sum(sends) as {{ dbt.type_bigint() }}) as sends,
        cast(sum(delivered) as {{ dbt.type_bigint() }}) as delivered,
        cast(sum(bounced) as {{ dbt.type_bigint() }}) as bounced,
        cast(sum(unique_opens) as {{ dbt.type_bigint() }}) as unique_opens,
        cast(sum(unique_clicks) as {{ dbt.type_bigint() }}) as unique_clicks,
        cast(sum(unsubscribes) as {{ dbt.type_bigint() }}) as unsubscribes,
        cast(sum(spam_reports) as {{ dbt.type_bigint() }}) as spam_reports
    from campaign_emails
    group by
        report_month,
        audience

)

select * from final
