obj-imsg/common/msg.o: common/msg.c common/imsg.h
common/imsg.h:
