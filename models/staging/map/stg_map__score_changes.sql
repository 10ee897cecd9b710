with

source as (

    select * from {{ source('map', 'score_changes') }}

),

latest as (

    {{ latest_version('source', ['score_event_id']) }}

),

final as (

    select
        score_event_id as score_event_id,
        {{ normalize_email('email') }} as email,
        score_delta as score_delta,
        new_score as new_score,
        reason as reason,
        occurred_at as occurred_at,
        _batch_id as batch_id,
        _loaded_at as loaded_at
    from latest

)

select * from final
