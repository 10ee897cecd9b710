-- Bookings reconcile per month of close: convert_monthly.bookings, the won amounts of fct_opportunities
-- (is_won, by closed_month) and the attributed bookings summed over campaign_roi plus
-- convert_monthly.unattributed_bookings (won deals without a campaign) agree within 0.01 (reporting
-- currency). Returns the months that do not.
with

converted as (

    select
        report_month,
        bookings,
        unattributed_bookings
    from {{ ref('convert_monthly') }}

),

won as (

    select
        closed_month as report_month,
        sum(amount) as won_amount
    from {{ ref('fct_opportunities') }}
    where is_won = true and closed_month is not null
    group by closed_month

),

attributed as (

    select
        report_month,
        sum(attributed_bookings) as attributed_bookings
    from {{ ref('campaign_roi') }}
    group by report_month

),

months as (

    select report_month from converted
    union
    select report_month from won
    union
    select report_month from attributed

),

compared as (

    select
        months.report_month,
        coalesce(converted.bookings, 0) as bookings,
        coalesce(won.won_amount, 0) as won_amount,
        coalesce(attributed.attributed_bookings, 0) as attributed_bookings,
        coalesce(converted.unattributed_bookings, 0) as unattributed_bookings
    from months
    left join converted
        on months.report_month = converted.report_month
    left join won
        on months.report_month = won.report_month
    left join attributed
        on months.report_month = attributed.report_month

)

select
    report_month,
    bookings,
    won_amount,
    attributed_bookings,
    unattributed_bookings
from compared
where
    abs(bookings - won_amount) > 0.01
    or abs(attributed_bookings + unattributed_bookings - won_amount) > 0.01
