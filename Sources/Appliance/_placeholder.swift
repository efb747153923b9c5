// module Appliance
import ServiceLifecycle
import Logging
