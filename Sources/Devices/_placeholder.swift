// module Devices
