with

source as (

    select * from {{ source('crm', 'leads') }}

),

latest as (

    {{ latest_version('source', ['lead_id'], deleted_column='is_deleted') }}

),

renamed as (

    select
        lead_id as lead_id,
        {{ normalize_email('email') }} as email,
        company as company,
        title as title,
        industry as industry,
        country as country,
        lead_source as lead_source_raw,
        status as status_raw,
        created_at as created_at,
        converted_at as converted_at,
        converted_contact_id as converted_contact_id,
        converted_account_id as converted_account_id,
        converted_opportunity_id as converted_opportunity_id,
        owner_id as owner_id,
        _batch_id as batch_id,
        _loaded_at as loaded_at
    from latest

),

mapped as (

    {{ map_to_canonical('renamed', [
        {'column': 'lead_source_raw', 'seed': 'channel_mapping', 'value': 'channel'},
        {'column': 'status_raw', 'seed': 'stage_mapping', 'value': 'stage', 'as': 'status_stage'},
    ]) }}

),

final as (

    select
        lead_id,
        email,
        company,
        title,
        industry,
        country,
        lead_source_raw,
        channel,
        status_raw,
        status_stage,
        created_at,
        converted_at,
        converted_contact_id,
        converted_account_id,
        converted_opportunity_id,
        owner_id,
        batch_id,
        loaded_at
    from mapped

)

select * from final
