"""Plan to files for tools: Slurm, NetBox, Ansible. No solver here.

from primeflex_iac.export import export_files, slurm_conf
print(slurm_conf(plan))
files = export_files(plan, "all")      # {"slurm/slurm.conf": ..., "netbox/devices.yaml": ..., ...}
"""

from primeflex_iac.common.hostlist import compress as hostlist
from primeflex_iac.common.hostlist import expand as expand_hostlist
from primeflex_iac.export.ansible import ansible_files, ansible_inventory
from primeflex_iac.export.netbox import netbox_device_type, netbox_files
from primeflex_iac.export.slurm import gres_conf, slurm_conf, slurm_files, topology_conf
from primeflex_iac.export.targets import TARGETS, applicable_targets, export_files

__all__ = [
    "TARGETS",
    "ansible_files",
    "ansible_inventory",
    "applicable_targets",
    "expand_hostlist",
    "export_files",
    "gres_conf",
    "hostlist",
    "netbox_device_type",
    "netbox_files",
    "slurm_conf",
    "slurm_files",
    "topology_conf",
]
