with

source as (

    select * from {{ source('finance', 'marketing_spend') }}

),

latest_batch_per_date as (

    select
        spend_date,
        max(_batch_id) as latest_batch_id
    from source
    group by spend_date

),

current_lines as (

    select source.*
    from source
    inner join latest_batch_per_date
        on
            source.spend_date = latest_batch_per_date.spend_date
            and source._batch_id = latest_batch_per_date.latest_batch_id

),

renamed as (

    select
        {{ surrogate_key(['spend_date', '_line_number']) }} as spend_line_id,
        spend_date,
        channel as channel_raw,
        campaign_id,
        lower(trim(cost_type)) as cost_type,
        amount as amount_original,
        upper(trim(currency)) as currency,
        impressions,
        clicks
    from current_lines

),

mapped as (

    {{ map_to_canonical('renamed', [
        {'column': 'channel_raw', 'seed': 'channel_mapping', 'value': 'channel'},
    ]) }}

),

converted as (

    {{ convert_currency('mapped', ['amount'], date_column='spend_date') }}

),

final as (

    select
        spend_line_id,
        spend_date,
        channel_raw,
        channel,
        campaign_id,
        cost_type,
        amount_original,
        currency,
        fx_rate,
        amount,
        impressions,
        clicks
    from converted

)

select * from final
