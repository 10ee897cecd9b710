with

source as (

    select * from {{ source('crm', 'contacts') }}

),

latest as (

    {{ latest_version('source', ['contact_id'], deleted_column='is_deleted') }}

),

renamed as (

    select
        contact_id as contact_id,
        account_id as account_id,
        {{ normalize_email('email') }} as email,
        title as title,
        lead_source as lead_source_raw,
        created_at as created_at,
        owner_id as owner_id,
        _batch_id as batch_id,
        _loaded_at as loaded_at
    from latest

),

mapped as (

    {{ map_to_canonical('renamed', [
        {'column': 'lead_source_raw', 'seed': 'channel_mapping', 'value': 'channel'},
    ]) }}

),

final as (

    select
        contact_id,
        account_id,
        email,
        title,
        lead_source_raw,
        channel,
        created_at,
        owner_id,
        batch_id,
        loaded_at
    from mapped

)

select * from final
