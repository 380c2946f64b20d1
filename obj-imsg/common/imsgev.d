obj-imsg/common/imsgev.o: common/imsgev.c common/imsgev.h common/imsg.h \
 common/log.h
common/imsgev.h:
common/imsg.h:
common/log.h:
