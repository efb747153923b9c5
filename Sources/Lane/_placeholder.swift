// module Lane
