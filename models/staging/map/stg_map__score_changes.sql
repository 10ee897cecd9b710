{#-
    Incremental like stg_map__email_events (the model YAML gives the reasoning): an incremental build ranks only
    the raw versions loaded after the table's newest _batch_id and replaces the score changes they name.
-#}
with

source as (

    select * from {{ contract_source('map', 'score_changes') }}
    {{ newer_batches_only() }}

),

latest as (

    {{ latest_version('source', ['score_event_id']) }}

),

final as (

    select
        score_event_id,
        {{ normalize_email('email') }} as email,
        score_delta,
        new_score,
        reason,
        occurred_at,
        _batch_id
    from latest

)

select * from final
