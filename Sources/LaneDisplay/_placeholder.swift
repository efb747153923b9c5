// module LaneDisplay
import Hummingbird
