// module Store
import GRDB
