with

source as (

    select * from {{ contract_source('crm', 'campaigns') }}

),

latest as (

    {{ latest_version('source', ['campaign_id']) }}

),

renamed as (

    select
        campaign_id,
        campaign_name,
        channel as channel_raw,
        campaign_type,
        lower(trim(audience)) as audience,
        is_automated,
        parent_campaign_id,
        start_date,
        end_date,
        budgeted_cost as budgeted_cost_original,
        actual_cost as actual_cost_original,
        upper(trim(currency)) as currency,
        -- costs are converted at the rate of the campaign's first day (its last day when the start is missing)
        coalesce(start_date, end_date) as fx_date
    from latest

),

mapped as (

    {{ map_to_canonical('renamed', [
        {'column': 'channel_raw', 'seed': 'channel_mapping', 'value': 'channel'},
    ]) }}

),

converted as (

    {{ convert_currency('mapped', ['budgeted_cost', 'actual_cost'], date_column='fx_date') }}

),

final as (

    select
        campaign_id,
        campaign_name,
        channel_raw,
        channel,
        campaign_type,
        audience,
        is_automated,
        parent_campaign_id,
        start_date,
        end_date,
        budgeted_cost_original,
        actual_cost_original,
        currency,
        fx_rate,
        budgeted_cost,
        actual_cost
    from converted

)

select * from final
