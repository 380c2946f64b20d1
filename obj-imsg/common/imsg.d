obj-imsg/common/imsg.o: common/imsg.c common/imsg.h
common/imsg.h:
