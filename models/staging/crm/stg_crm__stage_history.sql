with

source as (

    select * from {{ contract_source('crm', 'stage_history') }}

),

latest as (

    {{ latest_version('source', ['stage_event_id']) }}

),

renamed as (

    select
        stage_event_id,
        record_id,
        lower(trim(record_type)) as record_type,
        stage as stage_raw,
        entered_at
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
        entered_at
    from mapped

)

select * from final
