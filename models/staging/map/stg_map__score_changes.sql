with

source as (

    select * from {{ source('map', 'score_changes') }}

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
        occurred_at
    from latest

)

select * from final
