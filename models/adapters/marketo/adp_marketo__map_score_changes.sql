{{ config(enabled=adapter_enabled('marketo', 'map_score_changes')) }}
{#-
    map_score_changes from Marketo (docs/design/connectors.md §1.4.3): Change Score activities on the score
    fields named by var lifecycle__marketo_score_fields (display names, default ['Lead Score']), plus Change Data
    Value activities on the same fields (a score written by API or import) whose values are integers. The delta
    is new - old (change_value is the rule's text, e.g. '+10'); a field without a value before counts as 0.
-#}

with

change_score_columns as (

    {{ connector_columns('marketo', 'activity_change_score') }}

),

change_score as (

    {{ connector_events('change_score_columns', ['id']) }}

),

change_data_value_columns as (

    {{ connector_columns('marketo', 'activity_change_data_value') }}

),

change_data_value as (

    {{ connector_events('change_data_value_columns', ['id']) }}

),

-- values of a data field are text: only integers are scores (the others are left out and counted by the warn
-- test marketo_score_values_are_integers on the source table)
data_value_scores as (

    select
        id,
        lead_id,
        activity_date,
        primary_attribute_value,
        {{ marketo_integer('old_value') }} as old_value,
        {{ marketo_integer('new_value') }} as new_value,
        reason,
        _batch_id,
        _loaded_at,
        _file_name,
        _line_number
    from change_data_value
    where {{ marketo_integer('new_value') }} is not null

),

changes as (

    {% for scored in ['change_score', 'data_value_scores'] %}
        select
            id,
            lead_id,
            activity_date,
            primary_attribute_value,
            old_value,
            new_value,
            reason,
            _batch_id,
            _loaded_at,
            _file_name,
            _line_number
        from {{ scored }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

identities as (

    select * from {{ ref('adp_marketo__lead_identities') }}

),

scores as (

    select
        changes.id as score_event_id,
        identities.email,
        changes.new_value - coalesce(changes.old_value, 0) as score_delta,
        changes.new_value as new_score,
        changes.reason,
        changes.activity_date as occurred_at,
        greatest(changes._batch_id, identities._batch_id) as _batch_id,
        changes._loaded_at,
        changes._file_name,
        changes._line_number
    from changes
    left join identities
        on changes.lead_id = identities.lead_id
    where changes.primary_attribute_value in {{ marketo_score_fields() }}

)

{{ contract_select('map', 'score_changes', 'scores') }}
