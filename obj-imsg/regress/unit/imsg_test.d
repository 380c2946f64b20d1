obj-imsg/regress/unit/imsg_test.o: regress/unit/imsg_test.c common/imsg.h
common/imsg.h:
