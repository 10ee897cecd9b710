with

source as (

    select * from {{ source('billing', 'subscriptions') }}

),

latest as (

    {{ latest_version('source', ['subscription_id']) }}

),

renamed as (

    select
        subscription_id as subscription_id,
        account_id as account_id,
        product as product,
        started_on as started_on,
        ended_on as ended_on,
        mrr_amount as mrr_amount_original,
        upper(trim(currency)) as currency,
        _batch_id as batch_id,
        _loaded_at as loaded_at
    from latest

),

converted as (

    -- MRR is converted at the rate in force on the subscription's first day
    {{ convert_currency('renamed', ['mrr_amount'], date_column='started_on') }}

),

final as (

    select
        subscription_id,
        account_id,
        product,
        started_on,
        ended_on,
        mrr_amount_original,
        currency,
        fx_rate,
        mrr_amount,
        batch_id,
        loaded_at
    from converted

)

select * from final
