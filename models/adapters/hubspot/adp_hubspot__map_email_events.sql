{{ config(enabled=adapter_enabled('hubspot', 'map_email_events')) }}
{#-
    map_email_events from HubSpot email events (docs/design/connectors.md §1.3.2). The send of an event is its
    SENT event (sent_by_id; a SENT event is its own send). Events are never joined to contacts (that join fans
    out on merged contacts: fivetran/dbt_hubspot#46). A STATUSCHANGE is an unsubscribe only when the portal
    subscription became UNSUBSCRIBED; PROCESSED, DROPPED, DEFERRED, FORWARD, PRINT, SUPPRESSED and other status
    changes are no contract event and are left out (they stay in the connector's tables). With var
    hubspot_using_all_email_events false, events HubSpot's reporting filters out are left out too
    (fivetran/dbt_hubspot#96).
-#}
with

email_event as (

    {{ connector_columns('hubspot', 'email_event', 'hubspot_email_event_enabled') }}

),

events as (

    {{ connector_events('email_event', ['id']) }}

),

email_event_click as (

    {{ connector_columns('hubspot', 'email_event_click') }}

),

clicks as (

    {{ connector_events('email_event_click', ['id']) }}

),

email_event_status_change as (

    {{ connector_columns('hubspot', 'email_event_status_change') }}

),

status_changes as (

    {{ connector_events('email_event_status_change', ['id']) }}

),

email_campaign as (

    {{ connector_columns('hubspot', 'email_campaign') }}

),

-- a lookup: deleted campaigns still name the creative of their events
campaigns as (

    {{ connector_current('hubspot', 'email_campaign', ['id']) }}

),

typed as (

    select
        events.id as event_id,
        coalesce(events.sent_by_id, events.id) as email_send_id,
        events.email_campaign_id as campaign_id,
        coalesce(campaigns.content_id, events.email_campaign_id) as email_id,
        events.recipient as email,
        case upper(events.type)
            when 'SENT' then 'sent'
            when 'DELIVERED' then 'delivered'
            when 'OPEN' then 'open'
            when 'CLICK' then 'click'
            when 'BOUNCE' then 'bounce'
            when 'SPAMREPORT' then 'spam_report'
            when 'STATUSCHANGE' then
                case when upper(status_changes.portal_subscription_status) = 'UNSUBSCRIBED' then 'unsubscribe' end
        end as event_type,
        events.created as occurred_at,
        case when upper(events.type) = 'CLICK' then clicks.url end as link_url,
        -- the event changes when its click or status details arrive later: the newest of their batches
        greatest(
            events._batch_id,
            coalesce(clicks._batch_id, events._batch_id),
            coalesce(status_changes._batch_id, events._batch_id)
        ) as _batch_id,
        events._loaded_at,
        events._file_name,
        events._line_number
    from events
    left join clicks
        on events.id = clicks.id
    left join status_changes
        on events.id = status_changes.id
    left join campaigns
        on events.email_campaign_id = campaigns.id
    {%- if not var('hubspot_using_all_email_events', true) %}
    where not coalesce(events.filtered_event, false)
    {%- endif %}

),

contract_events as (

    select * from typed
    where event_type is not null

)

{{ contract_select('map', 'email_events', 'contract_events') }}
