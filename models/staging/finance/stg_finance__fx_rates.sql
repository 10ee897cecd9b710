with

source as (

    select * from {{ source('finance', 'fx_rates') }}

),

latest as (

    {{ latest_version('source', ['rate_date', 'upper(trim(currency))']) }}

),

renamed as (

    select
        rate_date,
        upper(trim(currency)) as currency,
        rate_to_reporting
    from latest
    where rate_to_reporting is not null

),

spells as (

    select
        {{ surrogate_key(['currency', 'rate_date']) }} as fx_rate_id,
        currency,
        rate_date,
        rate_to_reporting,
        rate_date as valid_from,
        lead(rate_date) over (partition by currency order by rate_date) as valid_to,
        row_number() over (partition by currency order by rate_date) = 1 as is_first_rate
    from renamed

),

final as (

    select
        fx_rate_id,
        currency,
        rate_date,
        rate_to_reporting,
        valid_from,
        valid_to,
        is_first_rate
    from spells

)

select * from final
