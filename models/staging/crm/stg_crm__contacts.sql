with

source as (

    select * from {{ contract_source('crm', 'contacts') }}

),

latest as (

    {{ latest_version('source', ['contact_id'], deleted_column='is_deleted') }}

),

renamed as (

    select
        contact_id,
        account_id,
        {{ normalize_email('email') }} as email,
        title,
        lead_source as lead_source_raw,
        created_at,
        owner_id
        {{ passthrough_select('crm_contacts', reading='contract_source') }}  -- noqa: LT02
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
        owner_id
        {{ passthrough_select('crm_contacts') }}  -- noqa: LT02
    from mapped

)

select * from final
