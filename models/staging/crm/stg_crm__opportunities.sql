with

source as (

    select * from {{ contract_source('crm', 'opportunities') }}

),

latest as (

    {{ latest_version('source', ['opportunity_id'], deleted_column='is_deleted') }}

),

renamed as (

    select
        opportunity_id,
        account_id,
        contact_id,
        opportunity_type as opportunity_type_raw,
        stage_name,
        amount as amount_original,
        upper(trim(currency)) as currency,
        created_at,
        closed_at,
        is_closed,
        is_won,
        loss_reason as loss_reason_raw,
        lead_source as lead_source_raw,
        campaign_id,
        owner_id,
        -- amounts are converted at the rate of the close day (closed deals) or of the creation day (open deals)
        case
            when is_closed = true then coalesce(closed_at, created_at)
            else created_at
        end as fx_date
    from latest

),

mapped as (

    {{ map_to_canonical('renamed', [
        {'column': 'opportunity_type_raw', 'seed': 'opportunity_type_mapping', 'value': 'opportunity_type'},
        {'column': 'loss_reason_raw', 'seed': 'loss_reason_mapping', 'value': 'loss_reason_category',
         'as': 'loss_reason_mapped'},
        {'column': 'lead_source_raw', 'seed': 'channel_mapping', 'value': 'channel'},
    ]) }}

),

converted as (

    {{ convert_currency('mapped', ['amount'], date_column='fx_date') }}

),

classified as (

    select
        converted.*,
        case
            when converted.is_closed = true and coalesce(converted.is_won, false) = false
                then coalesce(converted.loss_reason_mapped, 'other')
        end as loss_reason_category,
        case
            when converted.is_won = true then 'won'
            when converted.is_closed = true and converted.loss_reason_mapped = 'no_decision' then 'no_decision'
            when converted.is_closed = true then 'lost'
            else 'open'
        end as outcome
    from converted

),

final as (

    select
        opportunity_id,
        account_id,
        contact_id,
        opportunity_type_raw,
        opportunity_type,
        stage_name,
        amount_original,
        currency,
        fx_rate,
        amount,
        created_at,
        closed_at,
        is_closed,
        is_won,
        outcome,
        loss_reason_raw,
        loss_reason_category,
        lead_source_raw,
        channel,
        campaign_id,
        owner_id
    from classified

)

select * from final
