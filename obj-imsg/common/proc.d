obj-imsg/common/proc.o: common/proc.c common/log.h common/proc.h \
 common/config.h common/imsg.h common/imsgev.h common/sandbox.h \
 proto/proto.h
common/log.h:
common/proc.h:
common/config.h:
common/imsg.h:
common/imsgev.h:
common/sandbox.h:
proto/proto.h:
