import Appliance
import Foundation

// The lane service. Everything lives in the Appliance module; this file only hands over the process.
exit(await Daemon.main(arguments: CommandLine.arguments, environment: ProcessInfo.processInfo.environment))
