{{ config(enabled=adapter_enabled('marketo', 'map_email_events')) }}
{#-
    map_email_events from Marketo's email activities (docs/design/connectors.md §1.4.2), one table per event
    type. Left out: sends Marketo skipped (action_result other than succeeded: Marketo does not count them),
    soft bounces (another table, not read: they are not the contract's bounce). The send id is built from
    what identifies one send (template, smart campaign, campaign run) and the canonical lead, so a send and
    an open recorded before and after a lead merge belong to one send. The campaign is the program that owns
    the smart campaign (its linked Salesforce campaign when it has one); without the campaign and program
    tables (not synced by default) the smart campaign itself.
-#}
{%- set event_tables = {
    'activity_send_email': 'sent',
    'activity_email_delivered': 'delivered',
    'activity_open_email': 'open',
    'activity_click_email': 'click',
    'activity_email_bounced': 'bounce',
    'activity_unsubscribe_email': 'unsubscribe',
} -%}
{%- set no_text = 'cast(null as ' ~ dbt.type_string() ~ ')' -%}

with

{% for table in event_tables %}
    {{ table }}_columns as (

        {{ connector_columns('marketo', table) }}

    ),

    {{ table }}_rows as (

        {{ connector_events(table ~ '_columns', ['id']) }}

    ),
{% endfor %}

activities as (

    {% for table, event_type in event_tables.items() %}
        select
            id,
            lead_id,
            activity_date,
            campaign_id,
            campaign_run_id,
            email_template_id,
            '{{ event_type }}' as event_type,
            {{ 'link' if table == 'activity_click_email' else no_text }} as link_url,
            {{ 'email' if table == 'activity_email_bounced' else no_text }} as bounce_email,
            _batch_id,
            _loaded_at,
            _file_name,
            _line_number
        from {{ table }}_rows
        {%- if table == 'activity_send_email' %}
            where lower(coalesce(action_result, 'succeeded')) = 'succeeded'
        {%- endif %}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

identities as (

    select * from {{ ref('adp_marketo__lead_identities') }}

),

campaign_rows as (

    {{ marketo_lookup_columns('campaign', 'marketo__enable_campaigns') }}

),

-- deleted smart campaigns and programs still name the program of past sends (habit 6 of the design)
campaigns as (

    {{ connector_current('marketo', 'campaign_rows', ['id']) }}

),

program_rows as (

    {{ marketo_lookup_columns('program', 'marketo__enable_programs') }}

),

programs as (

    {{ connector_current('marketo', 'program_rows', ['id']) }}

),

events as (

    select
        activities.id as event_id,
        {{ dbt.concat([
            "'mkto-send:'", "coalesce(activities.email_template_id, '')",
            "':'", "coalesce(activities.campaign_id, '')",
            "':'", "coalesce(activities.campaign_run_id, '')",
            "':'", "coalesce(identities.canonical_lead_id, activities.lead_id, '')",
        ]) }} as email_send_id,
        coalesce(
            {{ marketo_program_campaign_id('programs.sfdc_id', 'campaigns.program_id') }},
            {{ dbt.concat(["'mkto-campaign:'", 'activities.campaign_id']) }}
        ) as campaign_id,
        activities.email_template_id as email_id,
        -- a bounce names the address it bounced from, used when the lead is unknown
        coalesce(identities.email, activities.bounce_email) as email,
        activities.event_type,
        activities.activity_date as occurred_at,
        activities.link_url,
        greatest(activities._batch_id, identities._batch_id) as _batch_id,
        activities._loaded_at,
        activities._file_name,
        activities._line_number
    from activities
    left join identities
        on activities.lead_id = identities.lead_id
    left join campaigns
        on activities.campaign_id = campaigns.id
    left join programs
        on campaigns.program_id = programs.id

)

{{ contract_select('map', 'email_events', 'events') }}
