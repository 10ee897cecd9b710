with

source as (

    select * from {{ source('crm', 'stage_history') }}

),

latest as (

    {{ latest_version('source', ['stage_event_id']) }}

),

renamed as (

    select
        stage_event_id as stage_event_id,
        record_id as record_id,
        lower(trim(record_type)) as record_type,
        stage as stage_raw,
        entered_at as entered_at,
        _batch_id as batch_id,
        _loaded_at as loaded_at
    from latest

),

mapped as (

    {{ map_to_canonical('renamed', [
        {'column': 'stage_raw', 'seed': 'stage_mapping', 'value': 'stage'},
    ]) }}

),

final as (

    select
        stage_event_id,
        record_id,
        record_type,
        stage_raw,
        stage,
        entered_at,
        batch_id,
        loaded_at
    from mapped

)

select * from final
