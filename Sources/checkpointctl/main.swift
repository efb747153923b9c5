import Appliance
import ArgumentParser
import Store
