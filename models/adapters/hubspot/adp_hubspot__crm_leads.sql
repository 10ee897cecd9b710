{{ config(enabled=adapter_enabled('hubspot', 'crm_leads')) }}
{#- HubSpot has no lead object (people are contacts): crm_leads is empty (docs/design/connectors.md §1.3.2). -#}
{{ contract_empty('crm', 'leads') }}
