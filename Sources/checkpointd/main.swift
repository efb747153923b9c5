import Appliance
