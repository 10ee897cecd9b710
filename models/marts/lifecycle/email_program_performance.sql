{%- set numeric = dbt.type_numeric() -%}

with

campaign_emails as (

    select * from {{ ref('int_email_sends_aggregated_to_campaign_emails') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

final as (

    select
        campaign_emails.campaign_id,
        campaign_emails.email_id,
        campaign_emails.report_month,
        campaigns.campaign_name,
        campaigns.audience,
        campaigns.is_automated,
        campaign_emails.sends as sent,
        campaign_emails.bounced,
        campaign_emails.delivered,
        campaign_emails.unique_opens,
        campaign_emails.unique_clicks,
        campaign_emails.unsubscribes,
        cast({{ safe_divide('campaign_emails.unique_opens', 'campaign_emails.delivered') }} as {{ numeric }})
            as open_rate,
        cast({{ safe_divide('campaign_emails.unique_clicks', 'campaign_emails.delivered') }} as {{ numeric }})
            as click_rate,
        cast({{ safe_divide('campaign_emails.unique_clicks', 'campaign_emails.unique_opens') }} as {{ numeric }})
            as click_to_open_rate,
        cast({{ safe_divide('campaign_emails.unsubscribes', 'campaign_emails.delivered') }} as {{ numeric }})
            as unsubscribe_rate,
        cast({{ safe_divide('campaign_emails.bounced', 'campaign_emails.sends') }} as {{ numeric }}) as bounce_rate
    from campaign_emails
    left join campaigns
        on campaign_emails.campaign_id = campaigns.campaign_id

)

select * from final
