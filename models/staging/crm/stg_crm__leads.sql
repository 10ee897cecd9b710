with

source as (

    select * from {{ contract_source('crm', 'leads') }}

),

latest as (

    {{ latest_version('source', ['lead_id'], deleted_column='is_deleted') }}

),

renamed as (

    select
        lead_id,
        {{ normalize_email('email') }} as email,
        company,
        title,
        industry,
        country,
        lead_source as lead_source_raw,
        status as status_raw,
        created_at,
        converted_at,
        converted_contact_id,
        converted_account_id,
        converted_opportunity_id,
        owner_id
        {{ passthrough_select('crm_leads', reading='contract_source') }}  -- noqa: LT02
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
        owner_id
        {{ passthrough_select('crm_leads') }}  -- noqa: LT02
    from mapped

)

select * from final
