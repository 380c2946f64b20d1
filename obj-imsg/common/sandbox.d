obj-imsg/common/sandbox.o: common/sandbox.c common/log.h common/sandbox.h \
 common/sandbox_priv.h
common/log.h:
common/sandbox.h:
common/sandbox_priv.h:
