{{ config(enabled=adapter_enabled('hubspot', 'crm_campaigns')) }}
{%- set automated_types = var('lifecycle__hubspot_automated_email_types',
    ['AUTOMATED', 'AUTOMATED_EMAIL', 'AUTOMATED_AB_EMAIL', 'FOLLOWUP', 'FOLLOWUP_EMAIL']) -%}
{%- set automated_literals = [] -%}
{%- for automated in automated_types -%}{%- do automated_literals.append("'" ~ automated | upper ~ "'") -%}{%- endfor -%}
{#-
    crm_campaigns from HubSpot email campaigns (docs/design/connectors.md §1.3.2): HubSpot's only campaigns
    Fivetran lands are emails, so the channel is email; a campaign runs from its first to its last SENT
    event. Costs come from marketing_spend (HubSpot has none); deleted campaigns are left out.
-#}
with

email_campaign as (

    {{ connector_columns('hubspot', 'email_campaign') }}

),

current_campaign as (

    {{ connector_current('hubspot', 'email_campaign', ['id']) }}

),

email_event as (

    {{ connector_columns('hubspot', 'email_event', 'hubspot_email_event_enabled') }}

),

events as (

    {{ connector_events('email_event', ['id']) }}

),

sent_dates as (

    select
        email_campaign_id,
        cast(min(created) as date) as start_date,
        cast(max(created) as date) as end_date
    from events
    where upper(type) = 'SENT'
    group by email_campaign_id

),

renamed as (

    select
        current_campaign.id as campaign_id,
        current_campaign.name as campaign_name,
        'email' as channel,
        current_campaign.type as campaign_type,
        '{{ var("lifecycle__default_campaign_audience", "prospect") }}' as audience,
        coalesce(
            upper(current_campaign.type) in (
                {{ automated_literals | join(', ') }}
            ),
            false
        ) as is_automated,
        cast(null as {{ dbt.type_string() }}) as parent_campaign_id,
        sent_dates.start_date,
        sent_dates.end_date,
        cast(null as {{ declared_type('decimal(18,4)') }}) as budgeted_cost,
        cast(null as {{ declared_type('decimal(18,4)') }}) as actual_cost,
        cast(null as {{ dbt.type_string() }}) as currency,
        current_campaign._batch_id,
        current_campaign._loaded_at,
        current_campaign._file_name,
        current_campaign._line_number
    from current_campaign
    left join sent_dates
        on current_campaign.id = sent_dates.email_campaign_id
    where not {{ any_flag(['current_campaign._fivetran_deleted', 'current_campaign._fivetran_tombstone']) }}

)

{{ contract_select('crm', 'campaigns', 'renamed') }}
