with

source as (

    select * from {{ source('billing', 'subscriptions') }}

),

latest as (

    {{ latest_version('source', ['subscription_id']) }}

),

renamed as (

    select
        subscription_id,
        account_id,
        product,
        started_on,
        ended_on,
        mrr_amount as mrr_amount_original,
        upper(trim(currency)) as currency
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
        mrr_amount
    from converted

)

select * from final
