// module Declarations
