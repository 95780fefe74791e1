{{ config(unique_key='task_id') }}

{{ stg_hubspot_association('associations_tasks_contacts', 'task_id') }}
